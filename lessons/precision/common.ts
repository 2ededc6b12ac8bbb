/** What lesson 11's sections share: the paper's address and how they write a number. */
import { formatNumber } from '../../components/format';

export const PAPER = 'https://arxiv.org/abs/2503.05840';

/** Three significant digits. */
export const fmt = (x: number): string => formatNumber(x, 3);
