/** tanh used by the core. Kept in its own module so a faster, equally accurate version can replace it. */
export const tanh: (x: number) => number = Math.tanh;
