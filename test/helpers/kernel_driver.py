"""Runs cells in a real tslab kernel and prints every iopub message as JSON lines.

usage: kernel_driver.py <cwd> <cells.json>   (env is passed through to the kernel)
Every iopub message is kept, whichever cell it belongs to (a display may be updated from a
timer while a later cell runs); `cell` is the index of the cell the message is parented to,
and `during` the index of the cell that was running when it arrived (-1 after the last one).
After the last cell the driver keeps listening for `linger` seconds.
"""
import json
import os
import sys
import time

from jupyter_client.manager import KernelManager


def main() -> None:
    cwd, cells_file = sys.argv[1], sys.argv[2]
    spec = json.load(open(cells_file))
    km = KernelManager(kernel_name="tslab")
    km.start_kernel(cwd=cwd, env=dict(os.environ))
    kc = km.client()
    kc.start_channels()
    cell_of = {}

    def emit(msg, during):
        parent = msg.get("parent_header", {}).get("msg_id")
        print(json.dumps({"cell": cell_of.get(parent, -1), "during": during, "msg_type": msg["header"]["msg_type"], "content": msg["content"]}), flush=True)

    try:
        kc.wait_for_ready(timeout=60)
        for index, code in enumerate(spec["cells"]):
            msg_id = kc.execute(code)
            cell_of[msg_id] = index
            deadline = time.time() + spec.get("timeout", 150)
            while time.time() < deadline:
                try:
                    msg = kc.get_iopub_msg(timeout=1)
                except Exception:
                    continue
                emit(msg, index)
                if msg["header"]["msg_type"] == "status" and msg["content"].get("execution_state") == "idle" and msg["parent_header"].get("msg_id") == msg_id:
                    break
            reply = kc.get_shell_msg(timeout=30)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kc.get_shell_msg(timeout=30)
            print(json.dumps({"cell": index, "during": index, "msg_type": "execute_reply", "content": {"status": reply["content"]["status"]}}), flush=True)
        deadline = time.time() + spec.get("linger", 0)
        while time.time() < deadline:
            try:
                msg = kc.get_iopub_msg(timeout=0.2)
            except Exception:
                continue
            emit(msg, -1)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


main()
