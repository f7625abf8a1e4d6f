/**
 * The split of a tab's slots, the random order candidates are tried in, and which outbound link is
 * chosen again once the room has grown.
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../core/testing/signature-cases.ts';
import { bySource, inboundSlots, linkToChooseAgain, outboundSlots, type ChosenLink } from './peer-selection.ts';


describe('peer selection', () => {
  it('behavior: of 8 slots 3 are for the tab\'s own choices and 5 for offers; every tab that links at all can choose one and be chosen by one', () => {
    expect([outboundSlots(8), inboundSlots(8)]).toEqual([3, 5]);
    expect([outboundSlots(0), inboundSlots(0)]).toEqual([0, 0]);
    for (let maxPeers = 1; maxPeers <= 64; maxPeers++) {
      const out = outboundSlots(maxPeers);
      const inbound = inboundSlots(maxPeers);
      expect(out).toBeGreaterThanOrEqual(1);
      expect(inbound).toBeGreaterThanOrEqual(1);
      // Inbound room at least what others choose a tab for on average: newcomers find room.
      if (maxPeers >= 3) expect(inbound).toBeGreaterThan(out);
      expect(out + inbound).toBeLessThanOrEqual(Math.max(2, maxPeers));
    }
  });

  it('behavior: candidates of one source come in a random order, each first about equally often, and the same draws give the same order', () => {
    const room = ['a', 'b', 'c', 'd'].map((p) => [p, { kind: 'server' }] as const);
    const random = prng(7);
    const first = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const order = [...bySource(room, random)].map(([p]) => p);
      expect([...order].sort()).toEqual(['a', 'b', 'c', 'd']);
      first.set(order[0]!, (first.get(order[0]!) ?? 0) + 1);
    }
    for (const p of 'abcd') expect(first.get(p)!).toBeGreaterThan(850);
    expect([...bySource(room, prng(3))]).toEqual([...bySource(room, prng(3))]);
    // Taking one from one source draws one number, however many candidates there are.
    let draws = 0;
    const counting = () => (draws++, 0.5);
    bySource(Array.from({ length: 1000 }, (_, i) => [i, { kind: 'server' }] as const), counting).next();
    expect(draws).toBe(1);
  });

  it('behavior: one introducer listing many ids gets no more draws than one listing few; the rooms get half while anyone introduced peers', () => {
    type R = { kind: 'server' } | { kind: 'relay'; via: string };
    const candidates: [string, R][] = [];
    for (let i = 0; i < 20; i++) candidates.push([`room${i}`, { kind: 'server' }]);
    for (let i = 0; i < 1000; i++) candidates.push([`flood${i}`, { kind: 'relay', via: 'attacker' }]);
    for (let i = 0; i < 5; i++) candidates.push([`friend${i}`, { kind: 'relay', via: 'honest' }]);
    const random = prng(11);
    const firstBy = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const [peer] = bySource(candidates, random).next().value!;
      const source = peer.replace(/[0-9]+$/, '');
      firstBy.set(source, (firstBy.get(source) ?? 0) + 1);
    }
    // Room ~2000, attacker ~1000, honest ~1000 (uniform over ids: the attacker would get ~3900).
    expect(firstBy.get('room')!).toBeGreaterThan(1800);
    expect(firstBy.get('flood')!).toBeLessThan(1150);
    expect(firstBy.get('friend')!).toBeGreaterThan(850);
    // Every candidate still comes once; an introducer whose list runs out leaves the draw to the rest.
    const all = [...bySource(candidates, prng(5))].map(([p]) => p);
    expect(new Set(all).size).toBe(candidates.length);
    expect(all.slice(0, 20).filter((p) => p.startsWith('friend')).length).toBeGreaterThan(0);
    // Only introduced peers (the rooms away): introducers take turns.
    const meshOnly = candidates.filter(([, r]) => r.kind === 'relay');
    const firstTen = [...bySource(meshOnly, prng(2))].slice(0, 10).map(([p]) => p);
    expect(firstTen.filter((p) => p.startsWith('friend')).length).toBeGreaterThanOrEqual(3);
  });

  it('behavior: each signaling server\'s room is a source of its own: one listing 100 ids and one listing 2 are drawn from about equally', () => {
    const candidates: [string, { kind: 'server'; url: string }][] = [
      ...Array.from({ length: 100 }, (_, i): [string, { kind: 'server'; url: string }] => [`big${i}`, { kind: 'server', url: 'wss://big.test' }]),
      ...Array.from({ length: 2 }, (_, i): [string, { kind: 'server'; url: string }] => [`small${i}`, { kind: 'server', url: 'wss://small.test' }]),
    ];
    const random = prng(13);
    let small = 0;
    for (let i = 0; i < 4000; i++) if (bySource(candidates, random).next().value![0].startsWith('small')) small++;
    expect(small).toBeGreaterThan(1800);
    expect(small).toBeLessThan(2200);
  });

  it('behavior: an outbound link chosen among fewer than half the peers known now is chosen again, the one chosen among fewest first, once open long enough; never an inbound one nor one in a settled room', () => {
    const links = new Map<string, ChosenLink>([
      ['early', { initiator: true, openedAt: 0, chosenAmong: 2 }],
      ['later', { initiator: true, openedAt: 0, chosenAmong: 5 }],
      ['inbound', { initiator: false, openedAt: 0 }],
      ['young', { initiator: true, openedAt: 50_000, chosenAmong: 1 }],
    ]);
    expect(linkToChooseAgain(links, 20, 8, 60_000)).toBe('early');
    links.delete('early');
    expect(linkToChooseAgain(links, 20, 8, 60_000)).toBe('later');
    // The room has not doubled since.
    expect(linkToChooseAgain(links, 9, 8, 60_000)).toBeNull();
    // Chosen among 2 × maxPeers or more: a settled room never rotates, however large it grows.
    expect(linkToChooseAgain(new Map([['x', { initiator: true, openedAt: 0, chosenAmong: 16 }]]), 1000, 8, 60_000)).toBeNull();
    // Once open 30 s, the young one goes too.
    links.delete('later');
    expect(linkToChooseAgain(links, 20, 8, 60_000)).toBeNull();
    expect(linkToChooseAgain(links, 20, 8, 80_000)).toBe('young');
    // Never the peer that brought the latest block.
    expect(linkToChooseAgain(links, 20, 8, 80_000, 'young')).toBeNull();
  });
});
