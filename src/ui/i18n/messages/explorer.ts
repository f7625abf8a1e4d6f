import { defineMessages } from '../define.ts';

/** The explorer view. Keys start with 'explorer.'. */
export const explorerMessages = defineMessages(
  {
    'explorer.title': 'Explorer',
  },
  {
    'explorer.title': '区块浏览器',
  },
);
