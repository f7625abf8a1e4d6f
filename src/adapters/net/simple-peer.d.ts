// The parts of simple-peer 9's browser build that the WebRTC link uses.
declare module 'simple-peer/simplepeer.min.js' {
  interface SimplePeerOptions {
    initiator?: boolean;
    trickle?: boolean;
    config?: RTCConfiguration;
    channelConfig?: RTCDataChannelInit;
    wrtc?: unknown;
  }
  interface SimplePeerInstance {
    /** The data channel's `bufferedAmount` (0 before it exists). simple-peer 9 has no `bufferedAmount`. */
    readonly bufferSize: number;
    readonly connected: boolean;
    readonly destroyed: boolean;
    readonly _channel: RTCDataChannel | null;
    /** The connection (null once destroyed). */
    readonly _pc: RTCPeerConnection | null;
    signal(data: unknown): void;
    send(data: Uint8Array): void;
    destroy(error?: Error): void;
    on(event: 'signal', listener: (data: Record<string, unknown>) => void): this;
    on(event: 'connect' | 'close', listener: () => void): this;
    on(event: 'data', listener: (data: Uint8Array) => void): this;
    on(event: 'error', listener: (error: Error & { code?: string }) => void): this;
    on(event: 'iceStateChange', listener: (connection: RTCIceConnectionState, gathering: RTCIceGatheringState) => void): this;
  }
  const SimplePeer: new (options?: SimplePeerOptions) => SimplePeerInstance;
  export default SimplePeer;
  export type { SimplePeerInstance, SimplePeerOptions };
}
