import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Slack's Socket Mode end of the WebSocket, served by the fake Slack (`fake.socketMode`): the
 * app calls `apps.connections.open`, which answers with this server's `ws://127.0.0.1/...`
 * URL; on connect it says `hello`, then a test sends envelopes (`events_api`,
 * `slash_commands`, `interactive`) and reads the app's acks (`{ envelope_id, payload }`).
 *
 * A WebSocket server of our own (RFC 6455, text frames, ping/pong, close) rather than a
 * dependency: @slack/socket-mode 3 speaks through undici's client, and nothing installed serves
 * the other end. Enough for one client sending small unfragmented frames, as the app does.
 */
export interface FakeSocketMode {
  /** The URL `apps.connections.open` answers with. */
  readonly url: string;
  /** Resolves once an app is connected and has been sent `hello`. */
  connected(): Promise<void>;
  /** Sends an envelope (any JSON) to the connected app. */
  send(envelope: unknown): void;
  /** Every JSON message the app sent, in order (acks are `{ envelope_id, payload }`). */
  readonly received: readonly Record<string, unknown>[];
  /** The app's ack of one envelope; rejects after `timeoutMs` (default 3000). */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Drops the connection (closing the fake does it too). */
  close(): void;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const PATH = '/link/';
const OP = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** One server frame: FIN set, never masked (RFC 6455 5.1). */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65_536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => {
            const b = Buffer.alloc(8);
            b.writeBigUInt64BE(BigInt(length));
            return b;
          })()]);
  return Buffer.concat([header, payload]);
}

/** Client frames from the start of `buffer`: each complete one, unmasked, and what is left over. */
function readFrames(buffer: Buffer): { frames: Array<{ opcode: number; payload: Buffer }>; rest: Buffer } {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let offset = 0;
  while (buffer.length - offset >= 2) {
    const opcode = buffer[offset]! & 0x0f;
    const masked = (buffer[offset + 1]! & 0x80) !== 0;
    let length = buffer[offset + 1]! & 0x7f;
    let at = offset + 2;
    if (length === 126) {
      if (buffer.length < at + 2) break;
      length = buffer.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (buffer.length < at + 8) break;
      length = Number(buffer.readBigUInt64BE(at));
      at += 8;
    }
    const mask = masked ? buffer.subarray(at, at + 4) : undefined;
    if (masked) at += 4;
    if (buffer.length < at + length) break;
    const payload = Buffer.from(buffer.subarray(at, at + length));
    if (mask) for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i % 4]!;
    frames.push({ opcode, payload });
    offset = at + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** Serves Socket Mode on `server`'s upgrade requests to `/link/`; `origin` is its `http://127.0.0.1:port`. */
export function attachFakeSocketMode(server: Server, origin: string): FakeSocketMode {
  const received: Record<string, unknown>[] = [];
  const waiters = new Set<{ envelopeId: string; resolve: (ack: Record<string, unknown>) => void; timer: NodeJS.Timeout }>();
  let socket: Duplex | undefined;
  let onConnect: Array<() => void> = [];

  const sendFrame = (opcode: number, payload: Buffer) => {
    if (socket && !socket.destroyed) socket.write(frame(opcode, payload));
  };
  const sendJson = (value: unknown) => sendFrame(OP.text, Buffer.from(JSON.stringify(value)));

  server.on('upgrade', (req: IncomingMessage, upgraded: Duplex) => {
    const key = req.headers['sec-websocket-key'];
    if (!req.url?.startsWith(PATH) || typeof key !== 'string') {
      upgraded.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    upgraded.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket = upgraded;
    let pending: Buffer = Buffer.alloc(0);
    upgraded.on('data', (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const { opcode, payload } of frames) {
        if (opcode === OP.ping) sendFrame(OP.pong, payload);
        else if (opcode === OP.close) {
          // The close handshake: answer with a close frame, then end the connection.
          sendFrame(OP.close, payload.subarray(0, 2));
          upgraded.end();
        } else if (opcode === OP.text) {
          const message = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
          received.push(message);
          for (const waiter of waiters) {
            if (message.envelope_id === waiter.envelopeId) {
              waiters.delete(waiter);
              clearTimeout(waiter.timer);
              waiter.resolve(message);
            }
          }
        }
      }
    });
    upgraded.on('error', () => upgraded.destroy());
    // Slack's first message on a new connection, in its real shape.
    sendJson({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 }, connection_info: { app_id: 'A0FAKEAPP1' } });
    const waiting = onConnect;
    onConnect = [];
    for (const resolve of waiting) resolve();
  });

  return {
    url: `${origin.replace(/^http/, 'ws')}${PATH}?ticket=fake-ticket`,
    connected: () => (socket && !socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => onConnect.push(resolve))),
    send: sendJson,
    received,
    waitForAck: (envelopeId, timeoutMs = 3000) => {
      const seen = received.find((m) => m.envelope_id === envelopeId);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          envelopeId,
          resolve,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`fake Socket Mode: no ack of ${envelopeId} within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    close: () => socket?.destroy(),
  };
}
