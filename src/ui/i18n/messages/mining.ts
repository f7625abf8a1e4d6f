import { defineMessages } from '../define.ts';

/** The mining view. Keys start with 'mining.'. */
export const miningMessages = defineMessages(
  {
    'mining.title': 'Mining',
  },
  {
    'mining.title': '挖矿',
  },
);
