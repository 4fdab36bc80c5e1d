import { fileURLToPath } from 'node:url';

/** The sample folder, from sample/src (tests) and from sample/dist (npm start) alike. */
export const SAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
