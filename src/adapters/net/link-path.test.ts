import { describe, expect, it } from 'vitest';
import { pathKind, selectedPath } from './link-path.ts';

const candidates = [
  { id: 'L1', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
  { id: 'L2', type: 'local-candidate', candidateType: 'srflx', protocol: 'udp' },
  { id: 'L3', type: 'local-candidate', candidateType: 'relay', protocol: 'udp' },
  { id: 'R1', type: 'remote-candidate', candidateType: 'host' },
  { id: 'R2', type: 'remote-candidate', candidateType: 'prflx' },
];

describe('selectedPath', () => {
  it('behavior: reads the pair the transport selected (Chromium, current Firefox)', () => {
    const report = new Map(
      [
        ...candidates,
        { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded', currentRoundTripTime: 0.001 },
        { id: 'P2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R2', nominated: true, state: 'succeeded', currentRoundTripTime: 0.0414 },
        { id: 'T', type: 'transport', selectedCandidatePairId: 'P2' },
      ].map((s) => [s.id, s]),
    );
    expect(selectedPath(report)).toEqual({ local: 'srflx', remote: 'prflx', protocol: 'udp', rttMs: 41 });
  });

  it('behavior: falls back to a pair flagged selected, then to the nominated succeeded one', () => {
    const flagged = [...candidates, { id: 'P', type: 'candidate-pair', localCandidateId: 'L3', remoteCandidateId: 'R1', selected: true }];
    expect(selectedPath(flagged)).toEqual({ local: 'relay', remote: 'host', protocol: 'udp', rttMs: null });
    const nominated = [...candidates, { id: 'P', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded' }];
    expect(selectedPath({ forEach: (cb: (s: unknown) => void) => nominated.forEach(cb) })?.local).toBe('host');
  });

  it('error: no selected pair, or a pair naming unknown candidates, is null', () => {
    expect(selectedPath(new Map())).toBeNull();
    expect(selectedPath([...candidates, { id: 'P', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'in-progress' }])).toBeNull();
    expect(selectedPath([{ id: 'T', type: 'transport', selectedCandidatePairId: 'P' }, { id: 'P', type: 'candidate-pair', localCandidateId: 'X', remoteCandidateId: 'R1' }, ...candidates])).toBeNull();
  });
});

describe('pathKind', () => {
  it('behavior: relay on either side is relayed; host to host is direct; anything else is through NAT', () => {
    expect(pathKind({ local: 'host', remote: 'host' })).toBe('direct');
    expect(pathKind({ local: 'srflx', remote: 'host' })).toBe('nat');
    expect(pathKind({ local: 'host', remote: 'relay' })).toBe('relay');
    expect(pathKind({ local: 'prflx', remote: 'prflx' })).toBe('nat');
  });
});
