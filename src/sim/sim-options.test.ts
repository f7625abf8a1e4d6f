/** The simulator's options: `--help` names every option the parser takes; bad values are refused with the option's name. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseSimOptions, SimOptionError, simUsage } from './sim-options.ts';

describe('sim options', () => {
  it('behavior: --help names every option the parser knows, and the defaults parse to DEFAULT_OPTIONS', () => {
    let known = '';
    try {
      parseSimOptions(['--no-such-option', '1']);
    } catch (error) {
      expect(error).toBeInstanceOf(SimOptionError);
      known = (error as Error).message;
    }
    const flags = known.match(/--[a-z-]+/g)!.filter((f) => f !== '--no-such-option');
    expect(flags.length).toBeGreaterThan(10);
    for (const flag of flags) expect(simUsage()).toContain(`${flag} `);
    expect(parseSimOptions([])).toEqual(DEFAULT_OPTIONS);
  });

  it('error: a value out of range or not a number is refused with the option named', () => {
    expect(() => parseSimOptions(['--nodes', '1'])).toThrow(/--nodes/);
    expect(() => parseSimOptions(['--loss', 'lots'])).toThrow(/--loss/);
    expect(() => parseSimOptions(['--protocol', '1'])).toThrow(/--protocol/);
    expect(() => parseSimOptions(['--protocol', '4'])).toThrow(/--protocol/);
    expect(parseSimOptions(['--protocol', '2']).protocol).toBe(2);
  });
});
