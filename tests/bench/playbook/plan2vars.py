#!/usr/bin/env python3
"""Turns the output of `koctl cluster create --plan` into Ansible host_vars, so that the Ansible
side of the benchmark runs byte for byte the scripts and files koctl's runner runs.

    plan2vars.py placeholders PLAN PHASE...
        print "HOST<TAB>DEST" for every file whose content the plan redacts (etcd certificates and
        keys); the caller fetches them from the hosts koctl deployed.
    plan2vars.py vars PLAN FILES_DIR OUT_DIR PLAYBOOK PHASE...
        write OUT_DIR/host_vars/HOST.yml with a dict `ko` keyed "phase/step name"; redacted
        contents are read from FILES_DIR/HOST/DEST. Fails when PLAYBOOK (equivalent.yml) does not
        have exactly one task per step of the plan, in the same order.

The plan prints, per phase, `== phase NAME`, then per step and host
`-- STEP @ HOST (as root, skip if PATH exists)` followed by its body indented by three spaces: a
script, `write DEST (mode M):` and the file's content, or `wait up to Ns for command: CMD`.
What koctl adds around a script on the host (set -e, the line in /var/log/ko/steps.log, the
wait_for loop) is added here the same way (crates/ko-playbook/src/run.rs).

Needs PyYAML (the Ansible venv has it).
"""
import os
import re
import sys

import yaml

HEADER = re.compile(r"^-- (?P<step>.*) @ (?P<host>\S+)(?: \((?P<flags>.*)\))?$")
WRITE = re.compile(r"^write (?P<dest>\S+) \(mode (?P<mode>[0-7]+)\):$")
WAIT = re.compile(r"^wait up to (?P<t>\d+)s for command: (?P<cmd>.*)$")
PLACEHOLDER = re.compile(r"^<[^\n]*>$")
LABEL = "task=ansible attempt=1"  # koctl writes task=ID attempt=N


def die(msg):
    sys.exit(f"plan2vars: {msg}")


def shell_quote(s):
    """ko_ssh::shell_quote."""
    if s and all(c.isascii() and (c.isalnum() or c in "-_./=:@%+,") for c in s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def parse(path, phases):
    """[(phase, step, host, flags, body)] for the wanted phases, in plan order."""
    out, phase, cur = [], None, None
    with open(path, encoding="utf-8") as f:
        for raw in f.read().splitlines():
            if raw.startswith("== phase "):
                phase, cur = raw[len("== phase "):], None
            elif raw.startswith("-- "):
                m = HEADER.match(raw)
                if not m:
                    die(f"unexpected plan line: {raw!r}")
                cur = None
                if phase in phases:
                    cur = [phase, m["step"], m["host"], (m["flags"] or ""), []]
                    out.append(cur)
            elif raw.startswith("   ") or raw == "":
                if cur is not None:
                    cur[4].append(raw[3:])
            else:
                die(f"unexpected plan line: {raw!r}")
    found = {s[0] for s in out}
    missing = [p for p in phases if p not in found]
    if missing:
        die(f"the plan has no phase {', '.join(missing)}")
    return [(p, s, h, fl, "\n".join(b)) for p, s, h, fl, b in out]


def action(step, flags, body):
    """The step as the Ansible tasks use it: {run, creates?} or {dest, mode, content}."""
    root = "as root" in flags.split(", ")
    creates = None
    for fl in flags.split(", "):
        if fl.startswith("skip if ") and fl.endswith(" exists"):
            creates = fl[len("skip if "):-len(" exists")]
        elif fl.startswith("skip if ") or fl.startswith("batch "):
            die(f"step '{step}': '{fl}' has no counterpart in equivalent.yml yet")
    first, _, rest = body.partition("\n")
    w = WRITE.match(first)
    if w:
        return {"dest": w["dest"], "mode": w["mode"], "content": rest + "\n"}
    w = WAIT.match(first)
    if w and not rest:
        t = w["t"]
        script = (f"end=$(( $(date +%s) + {t} )); until {{ {w['cmd']}\n}} >/dev/null 2>&1; do "
                  f"if [ \"$(date +%s)\" -ge \"$end\" ]; then echo 'still not ready after {t}s' >&2; exit 1; fi; "
                  "sleep 0.2; done")
    elif first.startswith(("upload ", "fetch ", "push the bundle", "wait up to ")):
        die(f"step '{step}': '{first}' has no counterpart in equivalent.yml yet")
    else:
        script = body
    full = "set -e\n"
    if root:
        entry = shell_quote(f"{LABEL} step={step}")
        full += ("mkdir -p /var/log/ko && printf '%s %s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" "
                 f"{entry} >> /var/log/ko/steps.log\n")
    a = {"run": full + script}
    if creates:
        a["creates"] = creates
    return a


class Unsafe(str):
    """Written with Ansible's !unsafe tag: the scripts are shell, never Jinja."""


yaml.SafeDumper.add_representer(
    Unsafe, lambda d, v: d.represent_scalar("!unsafe", str(v), style="|" if "\n" in v else None))


def playbook_keys(path):
    """The "phase/step" keys equivalent.yml uses, in order of first use."""
    keys = []
    with open(path, encoding="utf-8") as f:
        for _, k in re.findall(r"ko\[(['\"])(.+?)\1\]", f.read()):
            if k not in keys:
                keys.append(k)
    return keys


def main(argv):
    if len(argv) >= 3 and argv[1] == "placeholders":
        for p, s, h, fl, body in parse(argv[2], argv[3:]):
            a = action(s, fl, body)
            if "dest" in a and PLACEHOLDER.match(a["content"].rstrip("\n")):
                print(f"{h}\t{a['dest']}")
        return
    if len(argv) < 7 or argv[1] != "vars":
        die("usage: plan2vars.py placeholders PLAN PHASE... | vars PLAN FILES_DIR OUT_DIR PLAYBOOK PHASE...")
    plan, files, out, playbook, phases = argv[2], argv[3], argv[4], argv[5], argv[6:]
    steps = parse(plan, phases)
    order, per_host = [], {}
    for p, s, h, fl, body in steps:
        key = f"{p}/{s}"
        if key not in order:
            order.append(key)
        a = action(s, fl, body)
        if "dest" in a and PLACEHOLDER.match(a["content"].rstrip("\n")):
            src = os.path.join(files, h, a["dest"].lstrip("/"))
            try:
                with open(src, encoding="utf-8") as f:
                    a["content"] = f.read()
            except OSError as e:
                die(f"{key} on {h}: the redacted content was not fetched from the host ({e})")
        per_host.setdefault(h, {})[key] = {k: Unsafe(v) if k in ("run", "content") else v for k, v in a.items()}
    used = playbook_keys(playbook)
    if used != order:
        extra = [k for k in used if k not in order]
        missing = [k for k in order if k not in used]
        die(f"{playbook} is out of step with the koctl playbooks: "
            f"steps without a task: {missing or 'none'}; tasks without a step: {extra or 'none'}; "
            f"(order in the plan: {order})")
    os.makedirs(os.path.join(out, "host_vars"), exist_ok=True)
    for h, ko in per_host.items():
        path = os.path.join(out, "host_vars", f"{h}.yml")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds an etcd key
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("# generated by tests/bench/playbook/plan2vars.py from `koctl cluster create --plan`\n")
            yaml.safe_dump({"ko": ko}, f, sort_keys=False, allow_unicode=True, width=1 << 16)
    rows = sum(1 for _ in steps)
    print(f"{len(order)} steps, {rows} step x host rows, {len(per_host)} hosts")


if __name__ == "__main__":
    main(sys.argv)
