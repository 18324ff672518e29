import type { types } from '@slack/bolt';

/** Block Kit types, re-exported once so view builders do not each reach into Bolt. */
export type ModalView = types.ModalView;
export type KnownBlock = types.KnownBlock;
export type PlainTextOption = types.PlainTextOption;
