import type { ScriptReply } from '../store/redis/batch-codec.js';
import { CHECK } from './coherence-scripts.js';
import type { TierScripts } from './two-tier.js';
import type { PendingMember } from './write-barrier.js';

export interface Published {
  readonly inc: string;
  readonly epoch: number;
  readonly unknownMs: number;
  readonly members: readonly (PendingMember & { readonly applied: number })[];
}

/** The PUBLISH script's reply, or undefined when the call did not answer. */
export function parsePublished(
  reply: ScriptReply | undefined,
): Published | undefined {
  if (!Array.isArray(reply) || reply.length < 3) return undefined;
  const members: (PendingMember & { applied: number })[] = [];
  for (let i = 3; i + 2 < reply.length; i += 3) {
    members.push({
      id: String(reply[i]),
      leftMs: Number(reply[i + 1]),
      applied: Number(reply[i + 2]),
    });
  }
  return {
    inc: String(reply[0]),
    epoch: Number(reply[1]),
    unknownMs: Number(reply[2]),
    members,
  };
}

/** Asks the tier node which of `ids` still hold a lease without having applied `epoch`. */
export async function checkMembers(
  scripts: TierScripts,
  stateKey: string,
  epoch: number,
  inc: string,
  ids: readonly string[],
): Promise<PendingMember[] | 'lost' | 'fault'> {
  const reply = await scripts(CHECK, [stateKey], [epoch, inc, ...ids]);
  if (!Array.isArray(reply)) return 'fault';
  if (reply[0] === 1) return 'lost';
  const out: PendingMember[] = [];
  for (let i = 1; i + 1 < reply.length; i += 2) {
    out.push({ id: String(reply[i]), leftMs: Number(reply[i + 1]) });
  }
  return out;
}
