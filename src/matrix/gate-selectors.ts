import picomatch from 'picomatch';
import { closestWord } from '../data/closest-word.js';
import type { GatePolicy } from './gate-policy.js';

/** What a policy's selectors can name: the builds, host versions, scenarios and tags there are. */
export interface SelectionUniverse {
  builds: readonly string[];
  /** `host@version` */
  hostVersions: readonly string[];
  /** `suite/scenario` */
  scenarios: readonly string[];
  tags: readonly string[];
}

/** A selector entry that selects nothing: a typo there would check no cell, and pass. */
export interface UnmatchedSelector {
  /** The rule it belongs to; undefined for the policy's `targets`. */
  rule?: number;
  /** JSON pointer in the policy file. */
  pointer: string;
  field: 'targets' | 'builds' | 'hosts' | 'suites' | 'tags';
  entry: string;
  /** e.g. `hosts entry "harbor-bank@2O25.1" matches no host version (did you mean "harbor-bank@2025.1"?)` */
  message: string;
}

/** `host@version` and `host@2025.*` match the pair; a bare `host` (or glob) matches every version. */
export function hostMatcher(pattern: string): (host: string, version: string) => boolean {
  const m = picomatch(pattern);
  return pattern.includes('@') ? (host, version) => m(`${host}@${version}`) : (host) => m(host);
}

/** Every selector entry of the policy (targets, and each rule's builds, hosts, suites, tags) that names nothing in `u`. */
export function unmatchedSelectors(policy: GatePolicy, u: SelectionUniverse): UnmatchedSelector[] {
  const hostIds = [...new Set(u.hostVersions.map((hv) => hv.slice(0, hv.lastIndexOf('@'))))];
  const suites = [...new Set(u.scenarios.map((s) => s.split('/')[0]!))];
  const matches = {
    builds: (entry: string) => {
      const m = picomatch(entry);
      return u.builds.some((b) => m(b));
    },
    hosts: (entry: string) => {
      const m = hostMatcher(entry);
      return u.hostVersions.some((hv) => {
        const at = hv.lastIndexOf('@');
        return m(hv.slice(0, at), hv.slice(at + 1));
      });
    },
    suites: (entry: string) => suites.includes(entry) || u.scenarios.includes(entry),
    tags: (entry: string) => u.tags.includes(entry),
  };
  const what = {
    builds: ['build', u.builds],
    hosts: ['host version', [...hostIds, ...u.hostVersions]],
    suites: ['suite or scenario', [...suites, ...u.scenarios]],
    tags: ['scenario tag', u.tags],
  } as const;
  const out: UnmatchedSelector[] = [];
  const check = (
    entries: readonly string[] | undefined,
    kind: keyof typeof matches,
    field: UnmatchedSelector['field'],
    pointer: string,
    rule?: number,
  ) => {
    entries?.forEach((entry, i) => {
      if (matches[kind](entry)) return;
      const [noun, known] = what[kind];
      const near = closestWord(entry, known);
      const hint = near ? ` (did you mean "${near}"?)` : '';
      out.push({
        ...(rule !== undefined && { rule }),
        pointer: `${pointer}/${i}`,
        field,
        entry,
        message: `${field} entry "${entry}" matches no ${noun}${hint}`,
      });
    });
  };
  check(policy.targets, 'hosts', 'targets', '/targets');
  policy.rules.forEach((rule, i) => {
    if (rule.rule === 'complete') return;
    const at = `/rules/${i}`;
    if (Array.isArray(rule.builds)) check(rule.builds, 'builds', 'builds', `${at}/builds`, i);
    if (Array.isArray(rule.hosts)) check(rule.hosts, 'hosts', 'hosts', `${at}/hosts`, i);
    check(rule.suites, 'suites', 'suites', `${at}/suites`, i);
    check(rule.tags, 'tags', 'tags', `${at}/tags`, i);
  });
  return out;
}
