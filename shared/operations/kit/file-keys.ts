/** Where things live in file storage: one place, so writers and readers agree. */
export const handwrittenKey = (openid: string, ref: string): string => `signatures/${openid}/${ref}.png`;
