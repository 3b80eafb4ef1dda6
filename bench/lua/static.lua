-- One fixed request (the URL's path): /streams/live, /events?limit=50, nginx.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
