/** A consumer of jshm on the module path. */
module example.consumer {
    requires dev.jshm;
}
