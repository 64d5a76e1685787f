package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes a server die with the test binary (killed by its timeout, say).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
