/** `--scenario NAME`: the names parsed, the options each scenario cannot run with refused before anything runs. */
import { describe, expect, it } from 'vitest';
import { parseSimOptions, SimOptionError } from '../sim-options.ts';
import { checkScenarioOptions, scenarioOptions } from './scenarios.ts';

const refusal = (argv: string[]): string => {
  try {
    checkScenarioOptions(scenarioOptions(parseSimOptions(argv)));
  } catch (error) {
    return error instanceof SimOptionError ? error.option : 'other';
  }
  return 'none';
};

describe('scenarios by name', () => {
  it('behavior: each name parses; churn runs at 30 % a minute unless --churn says otherwise', () => {
    for (const name of ['partition', 'eclipse', 'churn', 'flood']) expect(parseSimOptions(['--scenario', name]).scenario).toBe(name);
    expect(scenarioOptions(parseSimOptions(['--scenario=churn'])).churnPerMin).toBe(0.3);
    expect(scenarioOptions(parseSimOptions(['--scenario=churn', '--churn', '0.1'])).churnPerMin).toBe(0.1);
    expect(scenarioOptions(parseSimOptions(['--scenario=flood'])).churnPerMin).toBe(0);
  });

  it('error: an unknown name, a partition whose blocks end before the heal, an eclipse without room for its attackers are refused with the option to change', () => {
    expect(refusal(['--scenario', 'meteor'])).toBe('--scenario');
    expect(refusal(['--scenario'])).toBe('--scenario');
    expect(refusal(['--scenario', 'partition'])).toBe('--blocks');
    expect(refusal(['--scenario', 'partition', '--blocks', '24'])).toBe('none');
    expect(refusal(['--scenario', 'partition', '--blocks', '24', '--miners', '1'])).toBe('--miners');
    expect(refusal(['--scenario', 'eclipse', '--nodes', '12', '--miners', '3'])).toBe('--nodes');
    expect(refusal(['--scenario', 'eclipse', '--nodes', '13', '--miners', '3'])).toBe('none');
  });
});
