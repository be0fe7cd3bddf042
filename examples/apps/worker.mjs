// A background worker: does a unit of work every second and says so.
let jobs = 0;
setInterval(() => console.log(`worker ${process.env.HXE_INSTANCE}: finished job ${++jobs}`), 1000);
