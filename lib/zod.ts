import { config } from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod for everything that ends up in a Lambda bundle: `zod/mini`'s functions tree-shake, classic
 * zod's prototype methods do not (about 75 KiB more per function). Mini registers no locale, so
 * without this every issue would read "Invalid input"; the 400 problem documents and the config
 * errors list zod's English messages. Import zod through this module so no schema parses before it.
 */
config(en());

export * from 'zod/mini';
