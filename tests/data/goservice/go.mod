module pgopipe.test/goservice

go 1.21
