// Whatever well-framed message a terminal sends — any MTI, any fields its dialect can encode, with
// any values those fields allow — every host version answers within the protocol and keeps serving:
// an MTI it accepts gets its response MTI (request + 10; a repeat answered as its original), every
// frame it sends decodes with its dialect, an MTI it does not accept is a journaled violation (and
// the only thing besides a frame over its size limit it may close the connection on), and it never
// stays silent, except on a response or an acknowledgement it does not accept: no message answers
// those, so it records it and answers the next message on the connection. Over real sockets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasResponseMti, Iso8583Error } from '../../../src/protocols/iso8583/index.js';
import { arbitraryMessage } from '../../support/arbitrary-message.js';
import { NoFrame } from '../../support/iso-terminal.js';
import { connect, host, stillServes, terminal } from './world.js';

const REFS = [
  'harbor-bank@2019.4',
  'harbor-bank@2022.2',
  'harbor-bank@2025.1',
  'lotus-acquirer@2021.2',
  'lotus-acquirer@2024.1',
];

/** ISO 8583's response MTI: the function digit + 1; a repeat (odd origin digit) as its original. */
const responseMti = (mti: string) => `${mti.slice(0, 2)}${Number(mti[2]) + 1}${Number(mti[3]) & ~1}`;

describe('a mock host under arbitrary messages', () => {
  for (const ref of REFS) {
    it(`${ref}: answers each within the protocol, or closes on an MTI it does not accept; still serving after`, async () => {
      const h = await host(ref);
      const t = terminal(h);
      const accepted = Object.keys(h.version.spec.messages);
      // Half the MTIs are ones the version accepts, so the rules, the ledger and the answers run.
      const mti = fc.oneof(fc.constantFrom(...accepted), fc.stringMatching(/^[0-9]{4}$/));
      const refused = (m: string) =>
        h.journal
          .entries()
          .some((e) => e.request?.iso?.mti === m && e.violations.some((v) => v.message.includes(`MTI ${m}`)));
      await fc.assert(
        fc.asyncProperty(mti, arbitraryMessage(h.version.dialect, { maxFields: 14 }), async (m, msg) => {
          let frame: Buffer;
          try {
            frame = t.frame({ mti: m, fields: msg.fields });
          } catch (err) {
            // Over the dialect's own frame limit (cup-pos: 4,096 bytes): no terminal can send it.
            if (!(err instanceof Iso8583Error)) throw err;
            fc.pre(false);
            return;
          }
          const c = await connect(t, h);
          c.write(frame);
          try {
            // A frame over the version's limit (lotus: 2,048 bytes) is refused unread: closed.
            if (frame.length > h.version.framing!.maxFrameLength) {
              expect(await c.waitClosed(2000), `a ${frame.length}-byte frame was not refused`).toBe(true);
              return;
            }
            const unanswerable = !accepted.includes(m) && !hasResponseMti(m);
            // Then a message the version accepts: the next frame must be its answer, not one to m.
            if (unanswerable) c.write(t.frame({ mti: accepted[0]!, fields: {} }));
            const answer = await c.next(2000);
            expect(answer.decodeError, `the answer to ${m} does not decode`).toBeUndefined();
            if (unanswerable) {
              expect(answer.message!.mti, `${m} was answered`).toBe(responseMti(accepted[0]!));
              expect(refused(m), `MTI ${m} left unanswered without a violation`).toBe(true);
            } else if (accepted.includes(m)) expect(answer.message!.mti).toBe(responseMti(m));
            else expect(refused(m), `MTI ${m} answered without a violation`).toBe(true);
          } catch (err) {
            if (!(err instanceof NoFrame)) throw err;
            expect(err.message, `no answer to ${m}`).not.toMatch(/timeout/);
            expect(accepted, `closed on ${m}, an MTI the version accepts`).not.toContain(m);
            expect(refused(m)).toBe(true);
          } finally {
            c.close();
          }
        }),
        { numRuns: Number(process.env.PROP_RUNS ?? 150), seed: Number(process.env.PROP_SEED ?? 8583) },
      );
      await stillServes(h);
    }, 120_000);
  }
});
