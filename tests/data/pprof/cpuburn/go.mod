module pgopipe.test/cpuburn

go 1.21
