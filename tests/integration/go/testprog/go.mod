module example.com/pgopipe-testprog

go 1.21
