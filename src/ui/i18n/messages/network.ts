import { defineMessages } from '../define.ts';

/** The network view. Keys start with 'network.'. */
export const networkMessages = defineMessages(
  {
    'network.title': 'Network',
  },
  {
    'network.title': '网络',
  },
);
