module github.com/athos-tray/athos-tray

go 1.24.0
