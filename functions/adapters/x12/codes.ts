/**
 * The X12 code lists the acknowledgments speak: TA105 interchange note codes (I18), AK905 group
 * error codes (716), IK502/AK502 transaction set error codes (718), IK304/AK304 segment error codes
 * (620) and IK403/AK403 element error codes (621). Names follow the X12 code descriptions so a
 * partner's EDI analyst recognizes them.
 */

/** TA105 Interchange Note Code (data element I18). */
export const InterchangeNote = {
  NoError: '000',
  ControlNumberMismatch: '001',
  StandardNotSupported: '002',
  VersionNotSupported: '003',
  InvalidSegmentTerminator: '004',
  InvalidSenderQualifier: '005',
  InvalidSenderId: '006',
  InvalidReceiverQualifier: '007',
  InvalidReceiverId: '008',
  UnknownReceiverId: '009',
  InvalidAuthorizationQualifier: '010',
  InvalidAuthorizationValue: '011',
  InvalidSecurityQualifier: '012',
  InvalidSecurityValue: '013',
  InvalidDate: '014',
  InvalidTime: '015',
  InvalidStandardsId: '016',
  InvalidVersionId: '017',
  InvalidControlNumber: '018',
  InvalidAckRequested: '019',
  InvalidTestIndicator: '020',
  InvalidGroupCount: '021',
  InvalidControlStructure: '022',
  PrematureEndOfFile: '023',
  InvalidContent: '024',
  DuplicateControlNumber: '025',
  InvalidElementSeparator: '026',
  InvalidComponentSeparator: '027',
} as const;
export type InterchangeNote = (typeof InterchangeNote)[keyof typeof InterchangeNote];

/** AK905–AK909 Functional Group Syntax Error Code (716). */
export const GroupError = {
  NotSupported: '1',
  VersionNotSupported: '2',
  TrailerMissing: '3',
  ControlNumberMismatch: '4',
  SetCountMismatch: '5',
  ControlNumberInvalid: '6',
  ControlNumberNotUnique: '19',
} as const;
export type GroupError = (typeof GroupError)[keyof typeof GroupError];

/** IK502–IK506 / AK502–AK506 Transaction Set Syntax Error Code (718). */
export const SetError = {
  NotSupported: '1',
  TrailerMissing: '2',
  ControlNumberMismatch: '3',
  SegmentCountMismatch: '4',
  SegmentsInError: '5',
  InvalidSetId: '6',
  InvalidControlNumber: '7',
  NotInFunctionalGroup: '18',
  ControlNumberNotUnique: '23',
} as const;
export type SetError = (typeof SetError)[keyof typeof SetError];

/** IK304 / AK304 Segment Syntax Error Code (620). */
export const SegmentError = {
  Unrecognized: '1',
  Unexpected: '2',
  MandatoryMissing: '3',
  LoopOverMaximum: '4',
  ExceedsMaximumUse: '5',
  NotInDefinedSet: '6',
  OutOfSequence: '7',
  HasElementErrors: '8',
} as const;
export type SegmentError = (typeof SegmentError)[keyof typeof SegmentError];

/** IK403 / AK403 Data Element Syntax Error Code (621). */
export const ElementError = {
  MandatoryMissing: '1',
  ConditionalMissing: '2',
  TooManyElements: '3',
  TooShort: '4',
  TooLong: '5',
  InvalidCharacter: '6',
  InvalidCode: '7',
  InvalidDate: '8',
  InvalidTime: '9',
  ExclusionViolated: '10',
  TooManyRepetitions: '12',
  TooManyComponents: '13',
} as const;
export type ElementError = (typeof ElementError)[keyof typeof ElementError];
