/** Secrets the server generates once and keeps, shared by every restart and instance. */
export interface SecretRepository {
  /** The secret stored under `name`; when there is none yet, `generated` is stored and answered (the first writer wins). */
  getOrCreate (name: string, generated: string): Promise<string>
}
