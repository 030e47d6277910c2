module pgopipe.example/go-service

go 1.21
