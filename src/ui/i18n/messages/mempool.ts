import { defineMessages } from '../define.ts';

/** The mempool view. Keys start with 'mempool.'. */
export const mempoolMessages = defineMessages(
  {
    'mempool.title': 'Mempool',
  },
  {
    'mempool.title': '交易池',
  },
);
