/**
 * Joins every asset URL (`?v=…`), so assets can be served `immutable` for a year and a
 * deploy that changes them changes their URLs. A real app would use its release id.
 */
export const ASSET_VERSION = '1';
