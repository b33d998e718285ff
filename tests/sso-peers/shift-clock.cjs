// Preloaded into the SAML test IdP (`node -r ./shift-clock.cjs ...`) to move its clock by
// SHIFT_CLOCK_SECONDS (e.g. -7200: responses already expired; 7200: not yet valid).
'use strict';
const offset = Number(process.env.SHIFT_CLOCK_SECONDS || 0) * 1000;
if (offset !== 0) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
