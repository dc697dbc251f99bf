/** Stops the moto server the contract project's global setup started. */
export default async function stopSharedMoto(): Promise<void> {
  await globalThis.hemSharedMoto?.stop();
}
