/** How lesson 12's sections write their numbers, in TeX and in text. */
import { formatCount, formatNumber } from '../../components/format';

/** A count inside TeX: 4{,}096 (a bare comma would add space). */
export const tc = (n: number) => formatCount(n).replace(/,/g, '{,}');
export const percent = (x: number) => `${formatNumber(100 * x, 3)}%`;
export const ratio = (x: number) => `${formatNumber(x, 3)}`;
