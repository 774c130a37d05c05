/**
 * Ids for forged answers in the model cases: the id of the request or survey
 * in progress with one bit flipped, which the IUT must not take for it.
 */
/**
 * The current id with bit `bit` flipped, unless the bit is one of the low 8
 * and clear: setting it raises the id by less than 256, and IUTs count request
 * and survey ids up (nng and nanomsg add one each time), so that id may be a
 * later request's or survey's of the same run. A forged answer still on its
 * way when that one starts would then rightly match it. The bit 8 places
 * higher is flipped instead (a run sends far fewer than 256).
 */
export function forgedId(current: number, bit: number): number {
  const raisesLittle = bit < 8 && ((current >>> bit) & 1) === 0;
  return (current ^ (1 << (raisesLittle ? bit + 8 : bit))) >>> 0;
}
