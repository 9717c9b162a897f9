/**
 * The smallest valid host file: one version that answers a sale, on the given dialect. Tests that
 * need a workspace host write it and change what they test.
 */
export function minimalHostYaml(id: string, dialect: string, summary = 'the smallest host there is'): string {
  return [
    `id: ${id}`,
    'title: Tiny Bank',
    'kind: iso8583',
    'versions:',
    '  "1.0":',
    `    summary: ${summary}`,
    '    changes: [first version]',
    `    dialect: ${dialect}`,
    '    signOnRequired: false',
    '    messages: { "0200": { kind: sale, mandatory: [3, 4, 11] } }',
    '    responseCodes: { approved: "00", declined: "05", format-error: "30", system-error: "96" }',
    '    timeouts: { idleSeconds: 60, incompleteFrameMs: 1000, processingDelayMs: 0 }',
    '    answers: { malformed: close, violation: format-error, unknownMessage: close }',
    '',
  ].join('\n');
}
