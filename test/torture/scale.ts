/** `npm run torture` sets TRAINBOOK_TORTURE=long for the full counts; `npm test` runs the short form. */
export const LONG = process.env.TRAINBOOK_TORTURE === 'long';
export const scale = (short: number, long: number): number => (LONG ? long : short);
