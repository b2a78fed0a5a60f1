/** Whether onnxruntime-node (a devDependency of bam) can be loaded, and its version. */
export type OnnxruntimeAvailability = { available: true; version: string } | { available: false; reason: string };

export async function findOnnxruntime(): Promise<OnnxruntimeAvailability> {
  try {
    const ort = await import('onnxruntime-node');
    return { available: true, version: ort.env.versions.node ?? ort.env.versions.common };
  } catch (e) {
    return { available: false, reason: `onnxruntime-node cannot be loaded (${(e as Error).message.split('\n')[0]}); install it with: npm install onnxruntime-node` };
  }
}
