/**
 * The page's shell (option `shell`, `@Shell()`): the part of the layout before the
 * page's body, rendered before the handler runs and sent with the flushed headers
 * (shell-layout.ts: pure splitting and padding; shell.renderer.ts: the layout rendered
 * with the app's Handlebars instance, remembered by shell-handlebars.ts).
 */
export { paddedShell, shellWanted, titleOf, titleScript, type SplitLayout } from './shell-layout.js';
export { compilingInstanceOf, rememberHandlebars, type CompilingHandlebars } from './shell-handlebars.js';
export { ShellRenderer } from './shell.renderer.js';
