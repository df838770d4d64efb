import { runProgram } from "./Shell.ts"

/** Whether `python3 -m py_compile` accepts a file (syntax only: nothing is imported). */
export const pyCompile = (file: string, cwd: string) => runProgram("python3", ["-m", "py_compile", file], { cwd, binDir: cwd })

// Reads a module's top-level constants (NAME = <literal>) from its syntax tree, without importing
// it: the orchestrators it imports are not installed here.
const constantsScript = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
constants = {}
for node in tree.body:
    if isinstance(node, ast.Assign):
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            continue
        for target in node.targets:
            if isinstance(target, ast.Name):
                constants[target.id] = value
            elif isinstance(target, ast.Tuple) and isinstance(value, tuple):
                for name, item in zip(target.elts, value):
                    constants[name.id] = item
print(json.dumps(constants))
`

/** The literal constants at the top of a Python file, by name. */
export const pythonConstants = async (file: string, cwd: string): Promise<Record<string, unknown>> => {
  const result = await runProgram("python3", ["-c", constantsScript, file], { cwd, binDir: cwd })
  if (result.code !== 0) throw new Error(`reading the constants of ${file}: ${result.stderr}`)
  return JSON.parse(result.stdout) as Record<string, unknown>
}
