/** Placeholder entry, replaced by the handler implementation (see contracts/functions.ts). */
export const handler = async (): Promise<never> => {
  throw new Error('handler not implemented yet');
};
