/** What starts every line `metamorph dev` prints (a module of its own: the CLI's supervisor needs only this). */
export const PREFIX = "[metamorph]";
