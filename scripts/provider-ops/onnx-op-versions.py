"""Writes src/engine/onnx/provider-ops/onnx-op-versions.json: for every ai.onnx op, the opsets
at which its schema changed. onnxruntime picks a node's kernel by the schema version the model's
opset resolves to (the newest change at or before it), not by the opset itself.

    python3 scripts/provider-ops/onnx-op-versions.py   # needs the `onnx` package (any recent one)
"""
import json
from collections import defaultdict
from pathlib import Path

import onnx
import onnx.defs

versions = defaultdict(set)
for schema in onnx.defs.get_all_schemas_with_history():
    if schema.domain in ("", "ai.onnx"):
        versions[schema.name].add(schema.since_version)

table = {
    "source": f"onnx {onnx.__version__} operator schemas (onnx.defs.get_all_schemas_with_history), up to opset {onnx.defs.onnx_opset_version()}",
    "maxOpset": onnx.defs.onnx_opset_version(),
    "ops": {name: sorted(v) for name, v in sorted(versions.items())},
}
out = Path(__file__).resolve().parents[2] / "src/engine/onnx/provider-ops/onnx-op-versions.json"
out.write_text(json.dumps(table, separators=(",", ":")).replace('],"', '],\n"') + "\n")
print(f"{out}: {len(table['ops'])} ops")
