/**
 * Where the receipt-to-invoice workflow waits, as `WaitRegistry` keys (pure).
 *
 * A registry slot keeps its arrival for good (an event may come before its wait), so a slot must be
 * used by ONE wait only: a case that waits for a clerk twice, or for a receipt twice, must not find
 * the first arrival again and loop. Each wait is therefore keyed on what makes it unique:
 * - an AP clerk's decision: the case and how many decisions it had when the workflow started to
 *   wait (`<caseId>#resolution-<n>`); the resolution API arrives on the same key because it reads
 *   the same count before it records the decision;
 * - goods for an invoice waiting for receipt: the case and how many receipts of its PO the last
 *   match saw (`<caseId>#receipts-<n>`). A receipt that makes the count c arrives on every key below
 *   c (bounded by `RECEIPT_WAIT_LOOKBACK`), so a workflow that saw n < c receipts wakes up however
 *   receipts raced each other; keys nobody waits on are harmless.
 */

/** What a receipt-to-invoice wait is for (the `awaited` of RegisterWait and `WaitRegistry`). */
export type InvoiceAwaited = 'RESOLUTION' | 'RECEIPT';

/** RegisterWait's input for one wait, minus the task token the ASL adds. */
export interface InvoiceWait {
  entity: string;
  awaited: InvoiceAwaited;
}

/** The wait for the AP clerk's decision number `decisionCount` + 1 on the case. */
export const resolutionWait = (caseId: string, decisionCount: number): InvoiceWait => ({
  entity: `${caseId}#resolution-${decisionCount}`,
  awaited: 'RESOLUTION',
});

/** The wait for the next receipt of the case's PO after the match that saw `receiptsSeen` receipts. */
export const receiptWait = (caseId: string, receiptsSeen: number): InvoiceWait => ({
  entity: `${caseId}#receipts-${receiptsSeen}`,
  awaited: 'RECEIPT',
});

/** How many older receipt counts a new receipt wakes (see the module comment). */
export const RECEIPT_WAIT_LOOKBACK = 20;

/** The receipt waits a receipt that brings the PO to `receiptCount` receipts wakes, newest first. */
export const receiptWaitsWokenBy = (caseId: string, receiptCount: number): InvoiceWait[] => {
  const waits: InvoiceWait[] = [];
  for (let seen = receiptCount - 1; seen >= Math.max(0, receiptCount - RECEIPT_WAIT_LOOKBACK); seen -= 1) waits.push(receiptWait(caseId, seen));
  return waits;
};
