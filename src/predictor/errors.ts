// Error catalogue of the predictor. None reaches a client: a failed training run keeps the previous
// model serving, and the owner logs and counts it under this code.

export const PREDICTOR_ERRORS = {
  predictor_training_failed: "a latency training run failed; the previous model keeps serving",
} as const;

export type PredictorErrorCode = keyof typeof PREDICTOR_ERRORS;
