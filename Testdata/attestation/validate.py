#!/usr/bin/env python3
"""Validates in-toto statements as Hoist attaches them.

  validate.py STATEMENT.json [...]

Each statement is checked against in-toto-statement-v1.schema.json; a provenance predicate
(https://slsa.dev/provenance/v1) against slsa-provenance-v1.schema.json; an SPDX predicate
(https://spdx.dev/Document) with the SPDX project's own validator (spdx-tools, from PyPI).
Prints what failed and exits 1, or exits 0 when every file is valid.
"""
import json, os, sys, tempfile
import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def schema(name):
    with open(os.path.join(HERE, name)) as f:
        return json.load(f)


def spdx_problems(document):
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    with tempfile.NamedTemporaryFile("w", suffix=".spdx.json", delete=False) as f:
        json.dump(document, f)
    try:
        return [m.validation_message for m in validate_full_spdx_document(parse_file(f.name))]
    finally:
        os.unlink(f.name)


def main(paths):
    failed = False
    for path in paths:
        with open(path) as f:
            statement = json.load(f)
        problems = [e.message for e in jsonschema.Draft202012Validator(schema("in-toto-statement-v1.schema.json")).iter_errors(statement)]
        kind = statement.get("predicateType")
        if kind == "https://slsa.dev/provenance/v1":
            problems += [e.message for e in jsonschema.Draft202012Validator(schema("slsa-provenance-v1.schema.json")).iter_errors(statement.get("predicate", {}))]
        elif kind == "https://spdx.dev/Document":
            problems += spdx_problems(statement.get("predicate", {}))
        else:
            problems.append(f"unexpected predicateType {kind!r}")
        for p in problems:
            print(f"{path}: {p}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
