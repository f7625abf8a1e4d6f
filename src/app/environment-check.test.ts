import { describe, expect, it } from 'vitest';
import { missingFeatures, type EnvironmentGlobals } from './environment-check.ts';

/** A current browser on an https:// page or localhost. */
const complete: EnvironmentGlobals = {
  isSecureContext: true,
  RTCPeerConnection: function RTCPeerConnection() {},
  indexedDB: {},
  navigator: { locks: {} },
  crypto: { subtle: {} },
};

describe('missingFeatures', () => {
  it('behavior: a secure context with every feature misses nothing', () => {
    expect(missingFeatures(complete)).toEqual([]);
  });

  it('behavior: plain http from another host: not a secure context, and no Web Locks or Web Crypto', () => {
    // What Chromium and Firefox expose on http://192.168.1.20:8080/.
    const lan: EnvironmentGlobals = { ...complete, isSecureContext: false, navigator: {}, crypto: {} };
    expect(missingFeatures(lan)).toEqual(['secure-context', 'web-locks', 'web-crypto']);
  });

  it('behavior: each feature missing alone is named alone', () => {
    expect(missingFeatures({ ...complete, RTCPeerConnection: undefined })).toEqual(['webrtc']);
    expect(missingFeatures({ ...complete, indexedDB: null })).toEqual(['indexeddb']);
    expect(missingFeatures({ ...complete, navigator: {} })).toEqual(['web-locks']);
    expect(missingFeatures({ ...complete, crypto: {} })).toEqual(['web-crypto']);
  });

  it('behavior: WebRTC must be a constructor, not some other value left by an extension', () => {
    expect(missingFeatures({ ...complete, RTCPeerConnection: {} })).toEqual(['webrtc']);
  });

  it('edge: a browser that does not report isSecureContext is judged by its features', () => {
    const { isSecureContext: _, ...old } = complete;
    expect(missingFeatures(old)).toEqual([]);
    expect(missingFeatures({})).toEqual(['webrtc', 'indexeddb', 'web-locks', 'web-crypto']);
  });
});
