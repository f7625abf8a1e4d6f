import { defineMessages } from '../define.ts';

/** The wallet view. Keys start with 'wallet.'. */
export const walletMessages = defineMessages(
  {
    'wallet.title': 'Wallet',
  },
  {
    'wallet.title': '钱包',
  },
);
