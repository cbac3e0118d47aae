"""The bridge and the dspex package are typed throughout: every function's parameters and return are annotated
(self and cls excepted), so an adapter author's type checker sees the API as it is."""

import ast
import glob
import os
import unittest

from bridge_support import BRIDGE_DIR


class TypeHintTests(unittest.TestCase):
    def test_every_function_is_annotated(self):
        files = [os.path.join(BRIDGE_DIR, "dspex_bridge.py")] + sorted(glob.glob(os.path.join(BRIDGE_DIR, "dspex", "*.py")))
        self.assertGreater(len(files), 5)
        missing = []
        for path in files:
            with open(path, encoding="utf-8") as file:
                tree = ast.parse(file.read())
            for node in ast.walk(tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                where = "%s:%d %s" % (os.path.basename(path), node.lineno, node.name)
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                for argument in arguments:
                    if argument.annotation is None and argument.arg not in ("self", "cls"):
                        missing.append("%s(%s)" % (where, argument.arg))
                if node.returns is None:
                    missing.append("%s -> ?" % where)
        self.assertEqual([], missing)


if __name__ == "__main__":
    unittest.main()
