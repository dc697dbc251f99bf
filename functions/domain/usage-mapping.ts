/**
 * Crosswalk mapping of usage lines (pure). Filled in by the domain work; the type is the contract
 * between the map and apply workflow steps.
 */

/** A usage line resolved to HEM's item, location, cost center and base units. */
export interface MappedUsageLine {
  /** sourceSystem|messageControlId|lineNumber */
  businessKey: string;
  correlationId: string;
  causationId: string;
  sourceSystem: string;
  messageControlId: string;
  lineNumber: number;
  facilityId: string;
  locationId: string;
  costCenter: string;
  glAccount: string;
  itemId: string;
  /** Signed base units consumed: positive = used (stock goes down), negative = reversal (stock goes up). */
  baseQuantity: number;
  baseUom: string;
  transactionType: 'CHARGE' | 'CREDIT';
  serviceDate: string;
  encounterRef?: string;
}
