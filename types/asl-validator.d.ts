/** Types of `asl-validator` 4 (the package ships none): a CommonJS function export. */
declare module 'asl-validator' {
  namespace validator {
    interface ValidationOptions {
      /** Validate JSONPath expressions (default true). */
      readonly checkPaths: boolean;
      /** Validate Task `Resource` ARNs (default true): substitute `${Placeholders}` first. */
      readonly checkArn: boolean;
    }
    interface StateMachineError {
      'Error code': string;
      Message: string;
      schemaError?: { instancePath: string; schemaPath: string };
    }
    interface ValidationResult {
      isValid: boolean;
      errors: StateMachineError[];
      errorsText(separator?: string): string;
    }
  }
  /** Validates an Amazon States Language definition. Mutates it (adds `QueryLanguage`): pass a copy. */
  function validator(definition: unknown, options?: validator.ValidationOptions): validator.ValidationResult;
  export = validator;
}
