import { tierStateKey } from '../keys/cache-keys.js';
import type { Cluster, Redis } from 'ioredis';
import { stopReviving } from '../store/redis/sentinel-revival.js';
import type { Invalidation } from '../engine/invalidation.js';
import { ACK } from './coherence-scripts.js';
import type { TierScripts } from './two-tier.js';

export interface BusEvents {
  message(inc: string, epoch: number, inv: Invalidation): void;
  ack(id: string, epoch: number): void;
  /** Subscribed: the first time, or again after the connection dropped. */
  up(): void;
  /** The connection dropped: messages may be missed from now on. */
  down(): void;
}

interface Held {
  readonly inc: string;
  readonly epoch: number;
  readonly inv: Invalidation;
}

/** Messages kept while joining; past it, the join resynchronises again. */
const MAX_HELD = 10_000;

function parse(message: string): Held | undefined {
  const a = message.indexOf(' ');
  const b = a < 0 ? -1 : message.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  try {
    return {
      inc: message.slice(0, a),
      epoch: Number(message.slice(a + 1, b)),
      inv: JSON.parse(message.slice(b + 1)) as Invalidation,
    };
  } catch {
    return undefined;
  }
}

/**
 * The tier's bus: a subscriber connection of its own (SUBSCRIBE takes a
 * connection over) on the invalidation channel and the acknowledgement
 * channel. It reports every drop at once, so that the tier stops serving,
 * and every (re)subscription, so that it resynchronises.
 */
export class TierBus {
  readonly channel: string;
  readonly ackChannel: string;
  private events: BusEvents | undefined;
  private subscribed = false;
  private held: Held[] = [];
  private overflow = false;
  private acking:
    { stateKey: string; id: string; epoch: number; inc: string } | undefined;

  constructor(
    private readonly sub: Redis | Cluster,
    private readonly owned: boolean,
    keyPrefix: string,
    private readonly scripts: TierScripts,
  ) {
    this.channel = `${tierStateKey(keyPrefix)}:bus`;
    this.ackChannel = `${tierStateKey(keyPrefix)}:ack`;
  }

  on(events: BusEvents): void {
    this.events = events;
  }

  get connected(): boolean {
    return this.subscribed;
  }

  start(): void {
    this.sub.on('message', this.onMessage);
    this.sub.on('ready', this.onReady);
    this.sub.on('close', this.onDown);
    this.sub.on('end', this.onDown);
    this.sub.on('error', () => undefined);
    if (this.sub.status === 'ready') this.onReady();
    else if (this.sub.status === 'wait')
      void this.sub.connect().catch(() => undefined);
  }

  private readonly onReady = (): void => {
    this.sub.subscribe(this.channel, this.ackChannel).then(
      () => {
        this.subscribed = true;
        this.events?.up();
      },
      () => undefined,
    );
  };

  private readonly onDown = (): void => {
    if (!this.subscribed) return;
    this.subscribed = false;
    this.events?.down();
  };

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel === this.ackChannel) {
      const sp = message.indexOf(' ');
      if (sp > 0)
        this.events?.ack(message.slice(0, sp), Number(message.slice(sp + 1)));
      return;
    }
    if (channel !== this.channel) return;
    const m = parse(message);
    if (m) this.events?.message(m.inc, m.epoch, m.inv);
  };

  /** Keeps a message that came while joining. */
  hold(inc: string, epoch: number, inv: Invalidation): void {
    if (this.held.length >= MAX_HELD) {
      this.overflow = true;
      return;
    }
    this.held.push({ inc, epoch, inv });
  }

  /** The messages held while joining (a gap makes the tier resynchronise). */
  release(): Held[] {
    const held = this.held;
    this.held = [];
    if (this.overflow) {
      this.overflow = false;
      // a gap no message can fill: the epoch after the join is missing
      return [{ inc: '', epoch: Number.MAX_SAFE_INTEGER, inv: {} }];
    }
    return held;
  }

  /** Acknowledges `epoch` (several in a row: the last one, once). */
  ack(stateKey: string, id: string, epoch: number, inc: string): void {
    const pending = this.acking;
    this.acking = { stateKey, id, epoch, inc };
    if (pending) return;
    queueMicrotask(() => {
      const a = this.acking;
      this.acking = undefined;
      if (a)
        void this.scripts(
          ACK,
          [a.stateKey],
          [a.id, a.epoch, a.inc, this.ackChannel],
        );
    });
  }

  async close(): Promise<void> {
    this.sub.off('message', this.onMessage);
    this.sub.off('ready', this.onReady);
    this.sub.off('close', this.onDown);
    this.sub.off('end', this.onDown);
    this.subscribed = false;
    if (!this.owned) {
      await this.sub
        .unsubscribe(this.channel, this.ackChannel)
        .catch(() => undefined);
      return;
    }
    stopReviving(this.sub);
    // QUIT alone leaves a Sentinel client's failover-detector connections
    // open; disconnect() after it closes them and stops any reconnect
    await this.sub.quit().catch(() => undefined);
    this.sub.disconnect();
  }
}
