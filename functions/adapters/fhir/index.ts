/**
 * FHIR R4 adapter: Procedure / ChargeItem / SupplyDelivery (alone or in a Bundle) → canonical
 * usage messages. See usage.ts for the elements read.
 */
export { parseFhirUsage, fhirBusinessIdentity, fhirDateTimeToIso, FHIR_SYSTEMS } from './usage';
export type { ParseFhirUsageOptions } from './usage';
